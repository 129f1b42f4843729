import { A, useNavigate, useSearchParams } from '@solidjs/router';
import { type JSX, Show } from 'solid-js';
import { createDebounced, useGroupsById } from '../hooks.ts';
import { usePageTitle } from '../page-title.ts';
import { useServices } from '../services-context.ts';
import { plural } from '../text.ts';
import { AddContactForm } from './AddContactForm.tsx';
import { ContactList } from './ContactList.tsx';
import { GroupsPanel } from './GroupsPanel.tsx';

export function ContactsPage(): JSX.Element {
  const { contacts } = useServices();
  const navigate = useNavigate();
  usePageTitle(() => 'Contacts');

  // The search lives in the address (?q=), so coming back from a contact keeps it.
  const [params, setParams] = useSearchParams<{ q?: string }>();
  const search = () => params.q ?? '';
  const setSearch = (q: string) => setParams({ q: q === '' ? undefined : q }, { replace: true });
  const query = createDebounced(search, 200, (value) => value.trim() === '');

  const rows = contacts.list(query);
  const total = contacts.count();
  const groups = useGroupsById();

  const summary = () => {
    if (query().trim() === '') return plural(total(), 'contact', 'contacts');
    return `${rows().length.toLocaleString('en')} of ${plural(total(), 'contact', 'contacts')}`;
  };

  return (
    <div class="contacts-page">
      <section class="card contacts-main" aria-labelledby="contacts-heading">
        <div class="list-toolbar">
          <div class="list-title">
            <h1 id="contacts-heading">Contacts</h1>
            <p class="muted" aria-live="polite">
              {summary()}
            </p>
          </div>
          <input
            type="text"
            enterkeyhint="search"
            autocomplete="off"
            class="search"
            aria-label="Search contacts"
            placeholder="Search name, phone, email or tag"
            value={search()}
            onInput={(event) => setSearch(event.currentTarget.value)}
            onKeyDown={(event) => {
              // Down from the search box goes into the results, as in a combobox.
              if (event.key === 'ArrowDown') {
                event.preventDefault();
                document.querySelector<HTMLElement>('.contact-row[tabindex="0"]')?.focus();
              }
            }}
          />
          <A class="button" href="/contacts/import">
            Import contacts
          </A>
        </div>
        <Show
          when={rows().length > 0}
          fallback={
            <div class="empty-state">
              <Show
                when={query().trim() !== ''}
                fallback={
                  <>
                    <p class="empty-title">No contacts yet</p>
                    <p class="muted">Add your first one with the New contact form.</p>
                  </>
                }
              >
                <p class="empty-title">No contacts match “{query()}”</p>
                <button type="button" class="button" onClick={() => setSearch('')}>
                  Clear search
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
          />
        </Show>
      </section>
      <aside class="contacts-side" aria-label="Contact tools">
        <section class="card panel" aria-labelledby="new-contact-heading">
          <h2 id="new-contact-heading">New contact</h2>
          <AddContactForm />
        </section>
        <GroupsPanel />
      </aside>
    </div>
  );
}
