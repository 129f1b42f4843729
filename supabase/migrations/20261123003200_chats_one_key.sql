-- A chat's id is derived from its channel and WhatsApp chat id (private.chat_id), and every
-- writer upserts on that id. The second unique key on (channel_id, wa_chat_id) said the same
-- thing, but ON CONFLICT arbitrates only one key: two requests creating the same chat at
-- once (two send batches, or a send and an inbound webhook) had the loser fail on the other
-- key ("duplicate key value violates unique constraint chats_channel_wa_chat_key") instead
-- of updating. The derivation is now the constraint, and the pair keeps a plain index.
alter table public.chats drop constraint chats_channel_wa_chat_key;
alter table public.chats add constraint chats_id_derived check (id = private.chat_id(channel_id, wa_chat_id));
create index chats_channel_wa_chat_idx on public.chats (channel_id, wa_chat_id);
