/**
 * Whether error answers carry stack traces. Off unless the gateway opts in with
 * EXPOSE_ERROR_STACKS=true (refused in production): stacks name files and internals.
 */
let exposeStacks = false;

export function setExposeErrorStacks(enabled: boolean): void {
  exposeStacks = enabled;
}

export const exposesErrorStacks = (): boolean => exposeStacks;
