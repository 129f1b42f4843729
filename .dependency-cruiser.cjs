// The import rules of the layout (README.md, "Layout"), checked by `npm test` (tests/run.sh)
// with dependency-cruiser: `npm run lint:deps`.
//
// No module of src, sw, supabase or tests imports itself back, directly or through others
// (no-circular). The app's layers, lowest first: a layer imports only layers below it, so no
// two folders can import each other either:
//   src/domain    pure rules: imports nothing of the app
//   src/db        RxDB: only src/domain
//   src/sync      the sync engine: src/db, src/domain, and the wire types of the server's
//                 functions (supabase/functions); never a feature, the UI or the app
//   src/features  each feature's services and worker: the engine, src/db, src/domain and
//                 src/features/shared; never another feature, the UI or the app
//   src/app       the contract the UI codes against (services.ts) and its wiring: never the UI
//   src/ui        pages: src/domain, and for types only the contract (src/app/services.ts,
//                 src/app/app-update.ts) and each feature's API (src/features/<feature>/api.ts);
//                 everything else reaches it through the services, at run time
//   src/main.tsx  the page's entry: joins the app and the UI
//   sw/           the service worker: only src/sync (its outbox and auth modules) and src/domain
// Nothing of the app or the service worker imports tests/ or supabase/local (the dev server).
// The backend stands apart: supabase/functions (deployed alone as edge functions) imports only
// supabase/functions, and supabase/local nothing of src, sw or tests.
//
// Type-only imports count (tsPreCompilationDeps): the cycle this replaced was one of types.

/** Paths of the app's own code, for the rules' `to`: anything outside is a package. */
const OWN = '^(src|sw|supabase|tests)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules never import each other, directly or through others.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      severity: 'error',
      comment: 'src/domain holds pure rules: it imports nothing of the app.',
      from: { path: '^src/domain/' },
      to: { path: OWN, pathNot: '^src/domain/' },
    },
    {
      name: 'db-only-domain',
      severity: 'error',
      comment: 'src/db (RxDB schemas, database, merges) builds on src/domain only.',
      from: { path: '^src/db/' },
      to: { path: OWN, pathNot: '^src/(db|domain)/' },
    },
    {
      name: 'engine-below-features',
      severity: 'error',
      comment:
        "The sync engine (src/sync) knows no feature, UI or app: only src/db, src/domain and the server functions' wire types.",
      from: { path: '^src/sync/' },
      to: { path: OWN, pathNot: '^(src/(sync|db|domain)/|supabase/functions/)' },
    },
    {
      name: 'features-below-app',
      severity: 'error',
      comment: 'A feature never imports the UI, the app (contract and wiring) or the entry.',
      from: { path: '^src/features/' },
      to: { path: '^(src/(ui|app)/|src/main\\.tsx$|sw/|tests/|supabase/)' },
    },
    {
      name: 'features-apart',
      severity: 'error',
      comment: 'A feature never imports another feature; what they share is src/features/shared.',
      from: { path: '^src/features/([^/]+)/' },
      to: { path: '^src/features/', pathNot: '^src/features/($1|shared)/' },
    },
    {
      name: 'app-below-ui',
      severity: 'error',
      comment: 'The contract and its wiring never import the UI or the entry (the UI imports the contract).',
      from: { path: '^src/app/' },
      to: { path: '^(src/ui/|src/main\\.tsx$|sw/|tests/|supabase/local/)' },
    },
    {
      name: 'ui-through-contract',
      severity: 'error',
      comment:
        "Pages never import src/db, the engine or a feature's internals: only the contract and the features' api.ts.",
      from: { path: '^src/ui/' },
      to: {
        path: '^(src/(db|sync|features|app)/|sw/|tests/|supabase/)',
        pathNot: '^src/(app/(services|app-update)|features/[^/]+/api)\\.ts$',
      },
    },
    {
      name: 'ui-types-only',
      severity: 'error',
      comment:
        "The contract and the features' APIs give the UI types; their code reaches it through the services.",
      from: { path: '^src/ui/' },
      to: { path: '^src/(app|features)/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'sw-engine-only',
      severity: 'error',
      comment: "The service worker uses the engine's outbox and auth modules and src/domain, no page code.",
      from: { path: '^sw/' },
      to: { path: '^(src|supabase|tests)/', pathNot: '^src/(sync|domain)/' },
    },
    {
      name: 'functions-deploy-alone',
      severity: 'error',
      comment: 'Edge functions are deployed on their own: they import only supabase/functions.',
      from: { path: '^supabase/functions/' },
      to: { path: OWN, pathNot: '^supabase/functions/' },
    },
    {
      name: 'local-backend-apart',
      severity: 'error',
      comment: 'The local Supabase-compatible server uses none of the app, the service worker or the tests.',
      from: { path: '^supabase/local/' },
      to: { path: '^(src|sw|tests)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'] },
  },
};
