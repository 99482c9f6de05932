"""The Slack app: the `/oncall` command, the swap buttons and the handoff posts.

`client` (settings, signature check, the Web API client), `commands` (what `/oncall` answers),
`blocks` (how swap and handoff messages look, with their buttons), `interactions` (a button
pressed: who pressed it, the swap service's answer). The views in `escalation.views.slack` only
verify the request and hand it over; anything posted to Slack goes through the outbox.
"""
