import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { trackPageLoads } from './messages/pageLoads';
import { createQueryClient, createTrpcClient, trpc } from './trpc';
import './index.css';

const queryClient = createQueryClient();
trackPageLoads(queryClient);
const trpcClient = createTrpcClient();

const container = document.getElementById('root');
if (!container) throw new Error('Missing #root element');

createRoot(container).render(
  <StrictMode>
    <trpc.Provider client={trpcClient} queryClient={queryClient}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </trpc.Provider>
  </StrictMode>,
);
