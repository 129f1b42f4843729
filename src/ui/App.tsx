// The global sheets first: every component's module builds on them.
import './tokens.css';
import './base.css';
import { Navigate, Route, Router, type RouteSectionProps, useLocation, useNavigate } from '@solidjs/router';
import { createEffect, type JSX, Match, Show, Switch } from 'solid-js';
import type { AppUpdate } from '../app/app-update.ts';
import type { PigeonServices } from '../app/services.ts';
import { ForgotPasswordPage } from './auth/ForgotPasswordPage.tsx';
import { InvitePage } from './auth/InvitePage.tsx';
import { ResetPasswordPage } from './auth/ResetPasswordPage.tsx';
import { SignInPage } from './auth/SignInPage.tsx';
import { SignUpPage } from './auth/SignUpPage.tsx';
import { CampaignPage } from './campaigns/CampaignPage.tsx';
import { CampaignsPage } from './campaigns/CampaignsPage.tsx';
import { ChannelsPage } from './channels/ChannelsPage.tsx';
import { ContactDetailPage } from './contacts/ContactDetailPage.tsx';
import { ContactsPage } from './contacts/ContactsPage.tsx';
import { ImportPage } from './import/ImportPage.tsx';
import { InboxPage } from './inbox/InboxPage.tsx';
import { AppShell } from './layout/AppShell.tsx';
import { LoadingScreen } from './layout/LoadingScreen.tsx';
import { NotFoundPage } from './layout/NotFoundPage.tsx';
import { UpdatePrompt } from './layout/UpdatePrompt.tsx';
import { ServicesProvider, useServices } from './services-context.ts';
import { SettingsPage } from './settings/SettingsPage.tsx';
import { SyncPage } from './settings/SyncPage.tsx';
import { TemplateEditorPage } from './templates/TemplateEditorPage.tsx';
import { TemplatesPage, TemplatesPlaceholder } from './templates/TemplatesPage.tsx';
import { safeNext } from './text.ts';

const AUTH_PATHS = ['/sign-in', '/sign-up', '/forgot-password'];
/** Pages a mailed link opens: shown signed in or out, outside the app's frame. */
const LINK_PATHS = ['/reset-password', '/invite'];

export function App(props: { services: PigeonServices; update?: AppUpdate | undefined }): JSX.Element {
  return (
    <ServicesProvider services={props.services}>
      <Show when={props.update}>{(update) => <UpdatePrompt update={update()} />}</Show>
      <Router root={Root}>
        <Route path="/" component={() => <Navigate href="/contacts" />} />
        <Route path="/inbox" component={InboxPage} />
        <Route path="/inbox/:chatId" component={InboxPage} />
        <Route path="/sign-in" component={SignInPage} />
        <Route path="/sign-up" component={SignUpPage} />
        <Route path="/forgot-password" component={ForgotPasswordPage} />
        <Route path="/reset-password" component={ResetPasswordPage} />
        <Route path="/invite" component={InvitePage} />
        <Route path="/contacts" component={ContactsPage} />
        <Route path="/contacts/import" component={ImportPage} />
        <Route path="/contacts/:id" component={ContactDetailPage} />
        <Route path="/templates" component={TemplatesPage}>
          <Route path="/" component={TemplatesPlaceholder} />
          <Route path="/new" component={TemplateEditorPage} />
          <Route path="/:id" component={TemplateEditorPage} />
        </Route>
        <Route path="/campaigns" component={CampaignsPage} />
        <Route path="/campaigns/:id" component={CampaignPage} />
        <Route path="/settings" component={SettingsPage} />
        <Route path="/settings/channels" component={ChannelsPage} />
        <Route path="/settings/sync" component={SyncPage} />
        <Route path="*" component={NotFoundPage} />
      </Router>
    </ServicesProvider>
  );
}

/**
 * Decides, from the session alone, what may be shown: signed-out users only see the auth pages,
 * signed-in users never do. An expired session keeps the app (its local data and edits) and
 * may also open /sign-in to sign in again.
 */
function Root(props: RouteSectionProps): JSX.Element {
  const { session } = useServices();
  const location = useLocation();
  const navigate = useNavigate();
  const onAuthPage = () => AUTH_PATHS.includes(location.pathname);
  const onLinkPage = () => LINK_PATHS.includes(location.pathname);

  // After a sign-out in this tab, the next person starts fresh rather than at the last user's page.
  let hadSession = false;
  createEffect(() => {
    const status = session().status;
    if (status === 'signed-in' || status === 'expired') hadSession = true;
    if (status === 'signed-out' && !onAuthPage() && !onLinkPage()) {
      const here = location.pathname + location.search;
      const next = hadSession || here === '/' ? '' : `?next=${encodeURIComponent(here)}`;
      navigate(`/sign-in${next}`, { replace: true });
    } else if (status === 'signed-in' && onAuthPage()) {
      const next = new URLSearchParams(location.search).get('next') ?? undefined;
      navigate(safeNext(next) ?? '/contacts', { replace: true });
    }
  });

  return (
    <Switch>
      <Match when={session().status === 'loading'}>
        <LoadingScreen />
      </Match>
      <Match when={onLinkPage()}>{props.children}</Match>
      <Match when={onAuthPage()}>
        <Show when={session().status !== 'signed-in'}>{props.children}</Show>
      </Match>
      <Match when={session().status !== 'signed-out'}>
        <AppShell>{props.children}</AppShell>
      </Match>
    </Switch>
  );
}
