import { createInkwellClient, InkwellProvider, isInkwellError } from '@inkwell/client/react';
import { QueryClient } from '@tanstack/react-query';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { router } from './router.js';
import './styles.css';

// Same origin: the dev and preview servers (and the production proxy) forward /trpc to the api.
const client = createInkwellClient({ url: '/trpc' });
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // An answer of the api (404, 403, a bad input) will not change by asking again.
      retry: (failures, error) => !isInkwellError(error) && failures < 2,
    },
  },
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <InkwellProvider client={client} queryClient={queryClient}>
      <RouterProvider router={router} />
    </InkwellProvider>
  </StrictMode>,
);
