import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { createMemo, type JSX, Show } from 'solid-js';
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
import { GroupsPanel } from './GroupsPanel.tsx';

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

  const listed = contacts.list(query, filter);
  const syncStates = recordSync.states('contacts');
  const allListed = recordSync.complete('contacts');
  const rows = createMemo(() =>
    unsyncedOnly() ? listed().filter((c) => isUnsynced(syncStates().get(c.id))) : listed(),
  );
  const total = contacts.count();
  const groups = useGroupsById();

  const summary = () => {
    const n = total();
    // A big workspace shows its first rows before all of its contacts are read and counted.
    if (n === undefined) return 'Counting contacts…';
    if (query().trim() === '' && !filtering()) return plural(n, 'contact', 'contacts');
    // Past the first thousand waiting contacts (an import's), the filter lists those only.
    if (unsyncedOnly() && !allListed())
      return `${rows().length.toLocaleString('en')} and more not yet synced`;
    return `${rows().length.toLocaleString('en')} of ${plural(n, 'contact', 'contacts')}`;
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
          <ContactFilters filter={filter()} onChange={setFilter} />
          <UnsyncedFilter
            checked={unsyncedOnly()}
            onChange={(on) => setParams({ sync: on ? 'unsynced' : undefined }, { replace: true })}
          />
        </div>
        <Show
          when={rows().length > 0}
          fallback={
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
          }
        >
          <ContactList
            contacts={rows()}
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
