import type { AuthProvider as AuthProviderContract } from './auth/auth';
import type { LanguageRegistry as LanguageRegistryContract } from './language/language';
import { createToken } from './plugin/tokens';
import type { NotebookStore as NotebookStoreContract } from './storage/storage';

/*
 * The extension points of core. Each token shares its interface's name. The interfaces are
 * declared here (extending the contracts), not aliased: a plugin package built with
 * `declaration: true` names its factory's inferred type `Plugin<{ languages: Token<LanguageRegistry> }>`
 * through `@rnb/core`, which works only when the very interface the token carries is exported
 * from the public entry (an alias of an internal interface gives TS2883, "cannot be named").
 */
export const LanguageRegistry = createToken<LanguageRegistry>('core:language-registry');
export interface LanguageRegistry extends LanguageRegistryContract {}

export const NotebookStore = createToken<NotebookStore>('core:notebook-store');
export interface NotebookStore extends NotebookStoreContract {}

export const AuthProvider = createToken<AuthProvider>('core:auth-provider');
export interface AuthProvider extends AuthProviderContract {}
