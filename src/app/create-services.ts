/**
 * createPigeonServices: the data layer the UI gets (services.ts), wired together.
 *
 * The session decides whose database is open: signed in or expired → that user's database
 * (UserSpace); signed in → it also replicates. Everything the platform provides (supabase
 * client settings, RxDB storage, key-value storage, network events) can be passed in, so the
 * same code runs in a browser and in Node tests.
 */
import type { RxStorage } from 'rxdb';
import {
  BehaviorSubject,
  combineLatest,
  distinctUntilChanged,
  filter,
  firstValueFrom,
  map,
  type Observable,
  of,
  pairwise,
  race,
  switchMap,
  timer,
} from 'rxjs';
import { createRoot } from 'solid-js';
import { guardQuota } from '../db/storage-full.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../domain/backoff.ts';
import { signUpDefaults } from '../domain/workspace-settings.ts';
import { createAccountApi } from '../features/account/service.ts';
import { createBackupApi } from '../features/backup/service.ts';
import { type CampaignPreparer, defaultPreparer } from '../features/campaigns/prepare.ts';
import { createCampaignsApi } from '../features/campaigns/service.ts';
import { createChannelsApi } from '../features/channels/service.ts';
import { createContactsApi } from '../features/contacts/service.ts';
import { createDiagnosticsApi } from '../features/diagnostics/service.ts';
import { createGroupsApi } from '../features/groups/service.ts';
import { createImportApi, type ImportWorkerFactory } from '../features/import/service.ts';
import { forgetFirstChats } from '../features/inbox/first-chats.ts';
import { createInboxApi } from '../features/inbox/service.ts';
import { createMessagesApi, forgetDrafts } from '../features/messages/service.ts';
import { createQuotaApi } from '../features/quota/service.ts';
import { createRecordSyncApi } from '../features/record-sync/service.ts';
import { toAccessor } from '../features/shared/reactive.ts';
import type { OpeningScope, Scope, ScopeSource } from '../features/shared/scope.ts';
import { createTeamApi } from '../features/team/service.ts';
import { createTemplatesApi } from '../features/templates/service.ts';
import { createWorkspaceSettingsApi } from '../features/workspace/service.ts';
import { type AsyncKeyValueStorage, authStorageKey, indexedDbAuthStorage } from '../sync/auth-storage.ts';
import { DeviceStorage } from '../sync/device-storage.ts';
import { browserNetwork, type NetworkEnvironment, OnlineState } from '../sync/online.ts';
import { OutboxClient } from '../sync/outbox-client.ts';
import { type KeyValueStorage, memoryStorage, SessionManager, type SessionState } from '../sync/session.ts';
import { syncState } from '../sync/status.ts';
import { createSupabaseClient, resolveConnection, type SupabaseConnection } from '../sync/supabase.ts';
import { UserSpace } from '../sync/user-space.ts';
import type { PigeonServices, SignOutOutcome } from './services.ts';
import { workerStorage } from './storage-host.ts';

export interface PigeonServicesOptions {
  /** URL, anon key and supabase-js options (Node: `realtime: { transport: ws }`). */
  supabase?: SupabaseConnection;
  /** Dexie (IndexedDB) in the storage worker by default; memory storage in tests. */
  rxStorage?: RxStorage<unknown, unknown>;
  /** Whether the app's tabs share the database; true where there is a window. */
  multiInstance?: boolean;
  /** Keeps small settings (and, where no authStorage is given, the session): localStorage by default. */
  storage?: KeyValueStorage;
  /** Keeps the auth session: IndexedDB in a browser, shared with the service worker. */
  authStorage?: AsyncKeyValueStorage;
  /** navigator.onLine and the window's online/offline events by default. */
  network?: NetworkEnvironment;
  /** Databases are named `<prefix>-<user id>`; tests give each simulated device its own. */
  databasePrefix?: string;
  retry?: RetryPolicy;
  /** How long a sign-out or workspace switch waits for pending edits to reach the server. */
  flushTimeoutMs?: number;
  /** Where campaigns are prepared: the worker in a browser, this thread elsewhere. */
  prepareCampaign?: CampaignPreparer;
  /** Where imports read files: the import worker by default (Node has no Web Worker). */
  importWorker?: ImportWorkerFactory;
  /** The app's address, which mailed links (invitations, password reset) open: the page's origin by default. */
  appUrl?: string;
}

export function createPigeonServices(options: PigeonServicesOptions = {}): PigeonServices {
  // The accessors made here live as long as the services: one root, disposed by dispose().
  return createRoot((disposeRoot) => buildServices(options, disposeRoot));
}

function buildServices(options: PigeonServicesOptions, disposeRoot: () => void): PigeonServices {
  const storage = options.storage ?? globalThis.localStorage ?? memoryStorage();
  const online = new OnlineState(options.network ?? browserNetwork());
  const flushTimeoutMs = options.flushTimeoutMs ?? 15_000;
  const appUrl = options.appUrl ?? globalThis.location?.origin ?? 'http://127.0.0.1:5173';
  const connection = resolveConnection(options.supabase ?? {});
  const clientOptions = options.supabase?.options ?? {};
  const baseFetch = clientOptions.global?.fetch ?? ((input, init) => fetch(input, init));
  const client = createSupabaseClient({
    ...connection,
    options: {
      ...clientOptions,
      auth: {
        // The reset page reads the mailed link's session itself (features/account).
        detectSessionInUrl: false,
        storage: options.authStorage ?? (globalThis.indexedDB ? indexedDbAuthStorage() : storage),
        storageKey: authStorageKey(connection.url),
        ...clientOptions.auth,
      },
      global: { ...clientOptions.global, fetch: online.trackFetch(baseFetch) },
    },
  });
  const session = new SessionManager(client, storage);
  const outbox = new OutboxClient({
    supabaseUrl: connection.url,
    anonKey: connection.anonKey,
    accessToken: async () => (await client.auth.getSession()).data.session?.access_token,
    fetch: online.trackFetch(baseFetch),
  });
  const space$ = new BehaviorSubject<UserSpace | undefined>(undefined);
  // The database being opened, for reads answered before it is open (scope.ts).
  const opening$ = new BehaviorSubject<OpeningScope | undefined>(undefined);
  // In a page the storage worker starts now, loading while the session is restored; it serves
  // every database opened later. Elsewhere (Node) it starts with the first database, if ever.
  // Every write goes through the quota guard: a full device is told once, clearly.
  const deviceStorage = new DeviceStorage();
  const guarded = (storage: RxStorage<unknown, unknown>) =>
    guardQuota(storage, () => deviceStorage.refused());
  let rxStorage = options.rxStorage ?? (typeof window === 'undefined' ? undefined : workerStorage().storage);
  if (rxStorage) rxStorage = guarded(rxStorage);

  // Opening and closing databases never overlap.
  let queue: Promise<void> = Promise.resolve();
  const enqueue = (task: () => Promise<void>): Promise<void> => {
    const next = queue.then(task);
    queue = next.catch((err: unknown) => console.error('pigeon: session change failed', err));
    return next;
  };

  // The user whose sign-in last asked the worker to replay their parked requests.
  let replayedFor: string | undefined;

  async function follow(state: SessionState): Promise<void> {
    const user = state.status === 'signed-in' || state.status === 'expired' ? state.user : undefined;
    outbox.follow(user?.id);
    // Signed in (again): the requests the worker parked for this user may go now.
    const signedIn = state.status === 'signed-in' ? state.user.id : undefined;
    if (signedIn && signedIn !== replayedFor && online.online) outbox.reconnected();
    replayedFor = signedIn;
    let space = space$.value;
    if (space && space.userId !== user?.id) {
      space$.next(undefined);
      opening$.next(undefined);
      await space.close({ remove: false });
      space = undefined;
    }
    if (user && !space) {
      rxStorage ??= guarded(workerStorage().storage);
      const databasePrefix = options.databasePrefix ?? 'pigeon';
      const opening = UserSpace.opening({ userId: user.id, databasePrefix, storage });
      opening$.next(opening && { ...opening, storage: rxStorage });
      try {
        space = await UserSpace.open({
          userId: user.id,
          databasePrefix,
          rxStorage,
          multiInstance: options.multiInstance ?? typeof window !== 'undefined',
          storage,
        });
      } catch (err) {
        opening$.next(undefined);
        throw err;
      }
      space$.next(space);
      // Until the open database knows its workspace, the rows read meanwhile stay shown.
      // (A space closed first completes it: nothing to clear then.)
      firstValueFrom(space.current$.pipe(filter(Boolean))).then(
        () => opening$.next(undefined),
        () => undefined,
      );
    }
    if (state.status === 'signed-in') {
      // Kept for good rather than evicted under pressure with changes not yet synced.
      void deviceStorage.requestPersistence();
      space?.startSync({ client, serverUrl: connection.url, retry: options.retry ?? DEFAULT_RETRY });
    } else {
      await space?.stopSync();
    }
  }

  const subscriptions = [
    session.state$.subscribe((state) => void enqueue(() => follow(state))),
    // Back online: a fresh token if it expired meanwhile, and pull and push at once rather
    // than at the next retry.
    online.online$
      .pipe(
        pairwise(),
        filter(([was, is]) => !was && is),
      )
      .subscribe(() => {
        void session.revalidate();
        void enqueue(async () => space$.value?.restartSync());
        messages.reconnected();
        contacts.reconnected();
      }),
  ];
  // The service worker's replays go into the user's sync trace, timed from its start announcement.
  let replayStarted = 0;
  subscriptions.push(
    outbox.replay$.subscribe((replay) => {
      if (replay.running) {
        replayStarted = Date.now();
        return;
      }
      if (replayStarted === 0) return;
      const at = Date.now();
      space$.value?.trace.record({
        at,
        kind: 'replay',
        ms: at - replayStarted,
        ...(replay.problem ? { detail: replay.problem } : {}),
      });
      replayStarted = 0;
    }),
  );
  session.start();

  const scopeSource: ScopeSource = {
    scope$: space$.pipe(
      switchMap((space) =>
        space
          ? space.current$.pipe(map((current) => current && scopeOf(space, current.workspace)))
          : of(undefined),
      ),
      distinctUntilChanged((a, b) => a?.db === b?.db && a?.workspace.id === b?.workspace.id),
    ),
    current() {
      const space = space$.value;
      const current = space?.current$.value;
      return space && current ? scopeOf(space, current.workspace) : undefined;
    },
    opening$,
  };

  const messages = createMessagesApi(scopeSource, outbox, storage, client, connection.url);
  const contacts = createContactsApi(scopeSource, { client, online: () => online.online, storage });
  const stopMessages = messages.start();
  // A delete told to no server before the app closed goes at its next start, not only at the
  // next reconnect.
  subscriptions.push(
    scopeSource.scope$.pipe(filter(Boolean)).subscribe(() => {
      if (online.online) contacts.reconnected();
    }),
  );

  const engine$ = space$.pipe(switchMap((space) => space?.engine$ ?? of(undefined)));
  const lastError$ = engine$.pipe(switchMap((engine) => engine?.lastError$ ?? of(undefined)));
  const active$ = engine$.pipe(switchMap((engine) => engine?.active$ ?? of(false)));
  const current$ = space$.pipe(switchMap((space) => space?.current$ ?? of(undefined)));

  /** Waits until the space has no pending edits (in `workspaceId`, or anywhere), bounded. */
  function settled(space: UserSpace, workspaceId?: string): Promise<unknown> {
    return firstValueFrom(
      race(
        space.pending.count$(workspaceId).pipe(filter((n) => n === 0)),
        offline$(online),
        timer(flushTimeoutMs),
      ),
    );
  }

  /** Pushes what waits, in every workspace; resolves with what is still unpushed. */
  async function pushPending(space: UserSpace): Promise<number> {
    const engine = space.engine;
    if (engine && online.online && (await space.pending.count()) > 0) {
      const current = space.current$.value?.workspace.id;
      const others = [...(await space.pending.workspaces())].filter((id) => id !== current);
      engine.reSync();
      await Promise.all([engine.flush(others, flushTimeoutMs), settled(space)]);
    }
    return space.pending.count();
  }

  const pending = toAccessor(space$.pipe(switchMap((space) => space?.pending.count$() ?? of(0))), 0);

  return {
    session: toAccessor(session.state$, session.state$.value),
    online: toAccessor(online.online$, online.online),
    signIn: (email, password) => session.signIn(email, password),
    signUp: (email, password, workspaceName) =>
      session.signUp(
        email,
        password,
        workspaceName,
        // A new workspace starts in this browser's time zone and its locale's country.
        signUpDefaults(
          Intl.DateTimeFormat().resolvedOptions().timeZone,
          globalThis.navigator?.languages ?? [],
        ),
      ),

    async signOut(opts = {}): Promise<SignOutOutcome> {
      // A session change under way finishes first (a reloaded session still opening the
      // user's database): the space it opens is the one to check and to close.
      await enqueue(async () => {});
      const space = space$.value;
      const unsynced = space ? await pushPending(space) : 0;
      // The user's send requests still in the service worker: parked for their next sign-in
      // on this device (never sent under someone else), or dropped with their data.
      const queued = space ? await outbox.waitingFor(space.userId) : 0;
      const remove = opts.removeData === true;
      if (remove && (unsynced > 0 || queued > 0) && !opts.discardWaiting) {
        return { signedOut: false, unsynced, queued };
      }
      if (remove && space && queued > 0 && (await outbox.drop(space.userId)) === undefined) {
        return {
          signedOut: false,
          unsynced,
          queued,
          error: "Couldn't discard the waiting messages. Try again.",
        };
      }
      // The message drafts of the user's workspaces and the inbox's kept first rows go with their data.
      if (remove && space) {
        forgetDrafts(
          storage,
          (await space.db.workspaces.find().exec()).map((w) => w.id),
        );
        forgetFirstChats(storage, space.db.name);
      }
      await enqueue(async () => {
        // The space open now, should a session change since have replaced the one checked.
        const open = space$.value;
        space$.next(undefined);
        await open?.close({ remove });
        await session.signOut();
      });
      return { signedOut: true, unsynced, queued };
    },

    workspaces: toAccessor(space$.pipe(switchMap((space) => space?.workspaces$ ?? of([]))), []),
    workspace: toAccessor(current$.pipe(map((c) => c?.workspace)), undefined),
    role: toAccessor(current$.pipe(map((c) => c?.role)), undefined),

    async switchWorkspace(id) {
      const space = space$.value;
      const current = space?.current$.value?.workspace.id;
      if (!space || id === current) return;
      // Edits of the workspace being left are pushed first when possible: its replication
      // stops with the switch.
      if (current && space.engine && online.online) {
        space.engine.reSync();
        await settled(space, current);
      }
      await space.choose(id);
    },

    sync: {
      state: toAccessor(
        combineLatest([online.online$, active$, lastError$]).pipe(
          map(([isOnline, active, error]) => syncState(isOnline, active, error)),
        ),
        'idle',
      ),
      pending,
      lastError: toAccessor<string | undefined>(lastError$, undefined),
      async syncNow() {
        const space = space$.value;
        const engine = space?.engine;
        if (!space || !engine || !online.online) return;
        engine.reSync();
        await firstValueFrom(race(engine.awaitInSync(), timer(flushTimeoutMs), offline$(online)));
      },
    },

    storage: {
      full: toAccessor(deviceStorage.full$, false),
      persisted: toAccessor(deviceStorage.persisted$, undefined),
      usage: () => deviceStorage.usage(),
      tryAgain: () => deviceStorage.clearFull(),
    },

    diagnostics: createDiagnosticsApi(scopeSource, {
      trace$: space$.pipe(map((space) => space?.trace)),
      storage: deviceStorage,
      online: () => online.online,
      pending,
      queued: () => outbox.size$.value,
      queuedRequests: () => outbox.requests(),
    }),

    contacts,
    groups: createGroupsApi(scopeSource),
    backup: createBackupApi(scopeSource),
    recordSync: createRecordSyncApi(scopeSource),
    templates: createTemplatesApi(scopeSource),
    messages,
    inbox: createInboxApi(scopeSource, () => space$.value?.userId, client, storage),
    imports: createImportApi(scopeSource, options.importWorker),
    campaigns: createCampaignsApi(scopeSource, {
      client,
      outbox,
      online: () => online.online,
      prepare: options.prepareCampaign ?? defaultPreparer,
      storage,
    }),
    quota: createQuotaApi(scopeSource, client),
    channels: createChannelsApi(scopeSource, {
      client,
      online: () => online.online,
      role$: current$.pipe(map((c) => c?.role)),
      refresh: () => space$.value?.engine?.reSync(),
    }),
    workspaceSettings: createWorkspaceSettingsApi(scopeSource, client, () => online.online),
    team: createTeamApi(scopeSource, { client, online: () => online.online, acceptUrl: `${appUrl}/invite` }),
    account: createAccountApi({ client, online: () => online.online, resetUrl: `${appUrl}/reset-password` }),

    async dispose() {
      for (const s of subscriptions) s.unsubscribe();
      stopMessages();
      outbox.dispose();
      await enqueue(async () => {
        const space = space$.value;
        space$.next(undefined);
        await space?.close({ remove: false });
      });
      await client.removeAllChannels();
      session.dispose();
      online.dispose();
      disposeRoot();
    },
  };
}

function scopeOf(space: UserSpace, workspace: Scope['workspace']): Scope {
  return { db: space.db, pending: space.pending, issues: space.issues, writes: space.writes, workspace };
}

function offline$(online: OnlineState): Observable<boolean> {
  return online.online$.pipe(filter((isOnline) => !isOnline));
}
