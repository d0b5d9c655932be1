import { CredentialUnreadableError, NoEncryptionKeyError, type Store } from '@hookflow/db';
import { CredentialError, type ResolvedCredential, resolveCredentialValue } from '@hookflow/engine';

/** A credential as a job carries it to its execution thread: resolved, or why it cannot be. */
export type JobCredential =
  | { ok: true; credential: ResolvedCredential }
  | { ok: false; message: string };

export interface CredentialResolver {
  /** The credential, decrypted and resolved; throws CredentialError naming it when it cannot. */
  resolve(id: string): ResolvedCredential;
  /** The credentials a job needs, to send along with it (decrypted values never leave memory). */
  forJob(ids: readonly string[]): Record<string, JobCredential>;
  /** Forget every decrypted value (a credential was changed or deleted). */
  clear(): void;
}

/**
 * Decrypts credentials for the ingress (trigger verification) and for jobs, in the main thread,
 * and keeps them in memory until a credential changes: in this process (clear()) or in another
 * one such as the CLI (SQLite's data_version).
 */
export function createCredentialResolver(
  store: Pick<Store, 'credentials' | 'triggers'>,
): CredentialResolver {
  const cache = new Map<string, ResolvedCredential | CredentialError>();
  let seenVersion = store.triggers.dataVersion();

  const load = (id: string): ResolvedCredential | CredentialError => {
    try {
      const found = store.credentials.reveal(id);
      if (!found) {
        return new CredentialError(
          `credential ${id} does not exist (it was deleted, or the workflow was imported from another Hookflow): pick another in the editor`,
        );
      }
      return resolveCredentialValue(found.credential, found.value);
    } catch (error) {
      if (
        error instanceof CredentialUnreadableError ||
        error instanceof NoEncryptionKeyError ||
        error instanceof CredentialError
      ) {
        return error instanceof CredentialError ? error : new CredentialError(error.message);
      }
      throw error;
    }
  };

  const lookup = (id: string): ResolvedCredential | CredentialError => {
    const version = store.triggers.dataVersion();
    if (version !== seenVersion) {
      cache.clear();
      seenVersion = version;
    }
    let found = cache.get(id);
    if (!found) {
      found = load(id);
      cache.set(id, found);
    }
    return found;
  };

  return {
    resolve(id) {
      const found = lookup(id);
      if (found instanceof CredentialError) throw found;
      return found;
    },
    forJob(ids) {
      const out: Record<string, JobCredential> = {};
      for (const id of ids) {
        const found = lookup(id);
        out[id] =
          found instanceof CredentialError
            ? { ok: false, message: found.message }
            : { ok: true, credential: found };
      }
      return out;
    },
    clear: () => cache.clear(),
  };
}
