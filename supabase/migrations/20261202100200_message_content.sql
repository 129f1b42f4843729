-- What an inbox shows of a message beyond its text (issue 13): its kind, media kept by the
-- provider (downloaded on demand through the media function), structured content
-- (locations, contact cards, button replies), edits, deletions and reactions; the business's
-- own messages typed on its phone; and, per chat, the customer's name and picture and when
-- they last wrote (Meta's 24-hour window). All written by the server; clients read them.

alter table public.messages
  add column kind text not null default 'text' check (kind in (
    'text', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'contacts', 'interactive', 'button'
  )),
  -- The provider's id of the media file, its MIME type and file name (documents).
  add column media_id text check (char_length(media_id) between 1 and 500),
  add column mime_type text check (char_length(mime_type) <= 200),
  add column file_name text check (char_length(file_name) <= 500),
  -- Kind-specific content: {latitude, longitude, name, address} of a location, {contacts} of
  -- contact cards, {reply_id} of a button or list reply.
  add column details jsonb check (jsonb_typeof(details) = 'object' and octet_length(details::text) <= 16384),
  -- The sender edited the text (or caption): body holds the latest.
  add column edited_at timestamptz,
  -- The sender deleted it for everyone: body and media are gone ("This message was deleted").
  add column revoked_at timestamptz,
  -- The customer's reaction to this message, an emoji; null when none.
  add column reaction text check (char_length(reaction) <= 32),
  -- An outbound message the business typed on its phone (Whapi's from_me), not sent by Pigeon.
  add column from_phone boolean not null default false,
  -- The Cloud API template this message is sent as (name, language, parameters), built at intake.
  add column template jsonb check (jsonb_typeof(template) = 'object' and octet_length(template::text) <= 16384);

-- A media message may have no caption and a deleted one has no text left: only a live text
-- message needs a body.
alter table public.messages drop constraint messages_body_check;
alter table public.messages add constraint messages_body_check check (
  char_length(body) <= 4096 and (char_length(body) >= 1 or kind <> 'text' or revoked_at is not null)
);

alter table public.chats
  -- The customer's WhatsApp profile name and picture, as the provider reports them.
  add column name text check (char_length(name) <= 200),
  add column picture_url text check (char_length(picture_url) <= 2000),
  -- When the customer last wrote: Meta accepts free text within 24 hours of it.
  add column last_inbound_at timestamptz;
