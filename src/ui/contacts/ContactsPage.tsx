import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createMemo, createSignal, type JSX, Show } from 'solid-js';
import { contactMatcher } from '../../domain/contact-search.ts';
import { isUnsynced } from '../../domain/record-sync.ts';
import type { ContactFilter } from '../../features/contacts/api.ts';
import { classes } from '../class-names.ts';
import controls from '../components/controls.module.css';
import page from '../components/page.module.css';
import { UnsyncedFilter } from '../components/UnsyncedFilter.tsx';
import { createDebounced, useGroupsById } from '../hooks.ts';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import { AddContactForm } from './AddContactForm.tsx';
import { ContactFilters } from './ContactFilters.tsx';
import { ContactList } from './ContactList.tsx';
import styles from './ContactsPage.module.css';
import { ExportContactsButton } from './ExportContactsButton.tsx';
import { GroupsPanel } from './GroupsPanel.tsx';

/** Rows fetched around those in view, above and below: a fast scroll still finds them. */
const MARGIN = 60;
/** The first window: more than any screen holds. */
const WINDOW = 3 * MARGIN;

export function ContactsPage(): JSX.Element {
  const { contacts, recordSync } = useServices();
  const navigate = useNavigate();
  usePageTitle(() => 'Contacts');

  // The search and filters live in the address (?q=&group=&tags=a,b), so coming back from a
  // contact keeps them.
  const [params, setParams] = useSearchParams<{ q?: string; group?: string; tags?: string; sync?: string }>();
  const search = () => params.q ?? '';
  const setSearch = (q: string) => setParams({ q: q === '' ? undefined : q }, { replace: true });
  const query = createDebounced(search, 200, (value) => value.trim() === '');
  const filter = createMemo<ContactFilter>(() => ({
    group: params.group || undefined,
    tags: params.tags ? params.tags.split(',') : [],
  }));
  const setFilter = (next: ContactFilter) =>
    setParams(
      { group: next.group || undefined, tags: next.tags?.length ? next.tags.join(',') : undefined },
      { replace: true },
    );
  const unsyncedOnly = () => params.sync === 'unsynced';
  const filtering = () => Boolean(filter().group) || (filter().tags?.length ?? 0) > 0 || unsyncedOnly();

  // Only the window of rows in view (and a margin) is fetched; sorting, search and counts run
  // next to the storage.
  const [range, setRange] = createSignal({ offset: 0, limit: WINDOW });
  const answer = contacts.browse(
    createMemo(() => ({ search: query(), filter: filter(), ...range() }), undefined, {
      equals: (a, b) => JSON.stringify(a) === JSON.stringify(b),
    }),
  );
  // The contacts not yet synced are few (the first thousand waiting are known): listed by
  // their ids, searched and filtered here, in list order.
  const syncStates = recordSync.states('contacts');
  const allListed = recordSync.complete('contacts');
  const unsynced = contacts.byIds(
    createMemo(() => [...syncStates()].filter(([, state]) => isUnsynced(state)).map(([id]) => id)),
  );
  const unsyncedRows = createMemo(() => {
    const matches = contactMatcher(query(), filter());
    return matches ? unsynced().filter(matches) : unsynced();
  });
  const count = () => (unsyncedOnly() ? unsyncedRows().length : (answer()?.matching ?? 0));
  const rowAt = (index: number) => {
    if (unsyncedOnly()) return unsyncedRows()[index];
    const current = answer();
    return current?.rows[index - current.offset];
  };
  const onRange = (first: number, last: number) => {
    const { offset, limit } = range();
    if (first >= offset && last < offset + limit) return;
    const start = Math.max(0, Math.floor((first - MARGIN) / MARGIN) * MARGIN);
    setRange({ offset: start, limit: last - start + 2 * MARGIN });
  };
  const groups = useGroupsById();

  const summary = () => {
    const current = answer();
    // A big workspace shows its first rows before all of its contacts are read and counted.
    if (current === undefined || !current.complete) return 'Counting contacts…';
    const n = current.total;
    if (query().trim() === '' && !filtering()) return plural(n, 'contact', 'contacts');
    // Past the first thousand waiting contacts (an import's), the filter lists those only.
    if (unsyncedOnly() && !allListed())
      return `${unsyncedRows().length.toLocaleString('en')} and more not yet synced`;
    return `${count().toLocaleString('en')} of ${plural(n, 'contact', 'contacts')}`;
  };

  return (
    <div class={styles.page}>
      <section class={classes(page.card, styles.main)} aria-labelledby="contacts-heading">
        <div class={page.listToolbar}>
          <div class={styles.title}>
            <h1 id="contacts-heading">Contacts</h1>
            <p class={page.muted} aria-live="polite">
              {summary()}
            </p>
          </div>
          <input
            type="text"
            enterkeyhint="search"
            autocomplete="off"
            class={styles.search}
            aria-label="Search contacts"
            placeholder="Search name, phone, email or tag"
            value={search()}
            onInput={(event) => setSearch(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Down from the search box goes into the results, as in a combobox.
              if (event.key === 'ArrowDown') {
                event.preventDefault();
                document.querySelector<HTMLElement>('[role="row"][tabindex="0"]')?.focus();
              }
            }}
          />
          <A class={controls.button} href="/contacts/import">
            Import contacts
          </A>
          <ExportContactsButton
            selection={{
              search: query(),
              filter: filter(),
              ids: unsyncedOnly() ? unsyncedRows().map((contact) => contact.id) : undefined,
            }}
            filtered={query().trim() !== '' || filtering()}
          />
          <ContactFilters filter={filter()} onChange={setFilter} />
          <UnsyncedFilter
            checked={unsyncedOnly()}
            onChange={(on) => setParams({ sync: on ? 'unsynced' : undefined }, { replace: true })}
          />
        </div>
        <Show
          when={count() > 0}
          fallback={
            <Show when={answer()}>
              <div class={page.emptyState}>
                <Show
                  when={query().trim() !== '' || filtering()}
                  fallback={
                    <>
                      <p class={page.emptyTitle}>No contacts yet</p>
                      <p class={page.muted}>Add your first one with the New contact form.</p>
                    </>
                  }
                >
                  <p class={page.emptyTitle}>
                    {query().trim() !== ''
                      ? `No contacts match “${query()}”`
                      : 'No contacts match these filters'}
                  </p>
                  <button
                    type="button"
                    class={controls.button}
                    onClick={() =>
                      setParams(
                        { q: undefined, group: undefined, tags: undefined, sync: undefined },
                        { replace: true },
                      )
                    }
                  >
                    Clear search and filters
                  </button>
                </Show>
              </div>
            </Show>
          }
        >
          <ContactList
            count={count()}
            rowAt={rowAt}
            onRange={onRange}
            groups={groups()}
            label="Contacts"
            onOpen={(id) => navigate(`/contacts/${id}`)}
            syncStates={syncStates()}
          />
        </Show>
      </section>
      <aside class={styles.side} aria-label="Contact tools">
        <section class={classes(page.card, page.panel)} aria-labelledby="new-contact-heading">
          <h2 id="new-contact-heading">New contact</h2>
          <AddContactForm />
        </section>
        <GroupsPanel />
      </aside>
    </div>
  );
}
