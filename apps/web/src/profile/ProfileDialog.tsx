import type { Me } from '@chat/api';
import { useState, type FormEvent } from 'react';
import { errorMessage, fieldError } from '../auth/errors';
import { StatusPicker } from '../presence/StatusPicker';
import { trpc } from '../trpc';
import { Dialog } from '../ui/Dialog';
import { ErrorAlert } from '../ui/ErrorAlert';
import { SubmitButton } from '../ui/SubmitButton';
import { TextField } from '../ui/TextField';
import { inputClass, mutedText } from '../ui/styles';

interface ProfileDialogProps {
  me: Me;
  open: boolean;
  onClose: () => void;
}

/** Edit status, display name, bio and avatar URL. */
export function ProfileDialog({ me, open, onClose }: ProfileDialogProps) {
  return (
    <Dialog open={open} onClose={onClose} title="Your profile">
      {open && <ProfileForm me={me} onSaved={onClose} />}
    </Dialog>
  );
}

function ProfileForm({ me, onSaved }: { me: Me; onSaved: () => void }) {
  const utils = trpc.useUtils();
  const [displayName, setDisplayName] = useState(me.displayName);
  const [bio, setBio] = useState(me.bio);
  const [avatar, setAvatar] = useState(me.avatar ?? '');
  const update = trpc.user.updateProfile.useMutation({
    onSuccess(updated) {
      utils.user.me.setData(undefined, updated);
      utils.user.byId.setData({ userId: updated.id }, updated);
      onSaved();
    },
  });

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    if (update.isPending) return;
    update.mutate({
      displayName: displayName.trim() || undefined,
      bio,
      avatar: avatar.trim() || null,
    });
  }

  const error = update.error;
  const bioError = fieldError(error, 'bio');

  return (
    <div className="space-y-5">
      <p className={`text-sm ${mutedText}`}>
        Signed in as <strong>@{me.username}</strong> ({me.email})
      </p>
      <StatusPicker status={me.status} />
      <form onSubmit={onSubmit} noValidate className="space-y-4">
        <TextField
          id="profile-display-name"
          label="Display name"
          value={displayName}
          onChange={setDisplayName}
          maxLength={64}
          error={fieldError(error, 'displayName')}
          data-autofocus
        />
        <div className="space-y-1">
          <label htmlFor="profile-bio" className="block text-sm font-medium">
            Bio
          </label>
          <textarea
            id="profile-bio"
            value={bio}
            onChange={(event) => setBio(event.target.value)}
            maxLength={500}
            rows={3}
            aria-invalid={bioError ? true : undefined}
            className={inputClass}
          />
          {bioError && <p className="text-sm text-red-600 dark:text-red-400">{bioError}</p>}
        </div>
        <TextField
          id="profile-avatar"
          label="Avatar URL"
          type="url"
          value={avatar}
          onChange={setAvatar}
          placeholder="https://…"
          hint="An https link to a picture; leave empty for initials."
          error={fieldError(error, 'avatar')}
        />
        {error && !error.data?.zodError && (
          <ErrorAlert message={errorMessage(error) ?? 'Could not save.'} />
        )}
        <SubmitButton pending={update.isPending}>Save profile</SubmitButton>
      </form>
    </div>
  );
}
