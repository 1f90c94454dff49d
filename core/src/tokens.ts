import type { AuthProvider as AuthProviderContract } from './auth/auth';
import type { LanguageRegistry as LanguageRegistryContract } from './language/language';
import { createToken } from './plugin/tokens';
import type { NotebookStore as NotebookStoreContract } from './storage/storage';

/** The extension points of core. Each token shares its interface's name. */
export const LanguageRegistry = createToken<LanguageRegistryContract>('core:language-registry');
export type LanguageRegistry = LanguageRegistryContract;

export const NotebookStore = createToken<NotebookStoreContract>('core:notebook-store');
export type NotebookStore = NotebookStoreContract;

export const AuthProvider = createToken<AuthProviderContract>('core:auth-provider');
export type AuthProvider = AuthProviderContract;
