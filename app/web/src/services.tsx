import { createContext, useContext, type ReactNode } from 'react';
import type { ApiClient, TokenSource } from './api/http';

export interface Services {
  api: ApiClient;
  getToken: TokenSource;
  /** The signed-in user's name as the sign-in knows it in the browser (Clerk's), or null; see `usePresenceName`. */
  userName?: () => string | null;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext.Provider value={services}>{children}</ServicesContext.Provider>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (!services) throw new Error('useServices outside <ServicesProvider>');
  return services;
}
