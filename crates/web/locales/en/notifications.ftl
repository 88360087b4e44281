# Reminders and notifications: the inbox, e-mail choices, the e-mail outbox.
nav-inbox = Inbox
inbox-title = Inbox
inbox-unread = { $count } unread
inbox-read-all = Mark all read
inbox-when = When
inbox-kind = Kind
inbox-message = Message
inbox-new = new
inbox-open = Open
inbox-mark-read = Mark read
inbox-empty = No notifications yet.

notify-kind-deadline-registration = Registration deadline
notify-kind-deadline-assessment = Self-assessment deadline
notify-kind-pact-to-sign = Pact awaiting signature
notify-kind-vote-open = Open vote
notify-kind-proposal-returned = Proposal returned
notify-kind-result-published = Results published

notify-msg-deadline-registration = { $days } day(s) left to register emulation titles for { $year } (last day { $deadline }).
notify-msg-deadline-assessment = { $days } day(s) left to submit the { $year } self-assessment (last day { $deadline }).
notify-msg-pact-to-sign = The { $year } emulation pact of { $group } was adopted and awaits your signature.
notify-msg-pact-reminded = Reminder from the group's head: the { $year } emulation pact of { $group } still awaits your signature.
notify-msg-vote-open = { $group } has an open vote for { $office }; your unit has not voted yet.
notify-msg-proposal-returned = The proposal { $title } was returned: { $reason }.
notify-msg-result-published = The { $year } scoring and ranking results were published.

notify-prefs-title = E-mail notifications
notify-prefs-help = Every notification appears in the Inbox. Choose which kinds you also want by e-mail.
notify-prefs-saved = Your notification choices were saved.
notify-email-address = E-mail address
notify-email-per-kind = Send an e-mail for
err-email-invalid = Not a valid e-mail address (e.g. office@vks.travinh.gov.vn).
err-notify-unknown-kind = Unknown kind of notification.

outbox-title = E-mail outbox
outbox-help = Mails that could not be sent are retried automatically; after many failed tries a mail is marked failed and can be retried here.
outbox-created = Created
outbox-to = To
outbox-status = Status
outbox-attempts = Attempts
outbox-next = Next try / sent at
outbox-last-error = Last error
outbox-retry = Retry now
outbox-empty = The outbox is empty.
outbox-status-queued = Queued
outbox-status-sent = Sent
outbox-status-failed = Failed
err-outbox-already-sent = This mail was already sent.

mail-subject = [Thi Đua] { $title }
mail-footer = Details: { $link }
mail-prefs = Change your e-mail choices: { $link }
