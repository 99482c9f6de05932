"""Email and Slack notices.

- `outbox`: delivery. `Notice` (a message to write) and `enqueue` (into the outbox, in the
  caller's transaction), `deliver` (after commit, and by cron for retries with a growing
  delay), sending mail and posting to Slack, `DeliveryReport`.
- `messages`: the wording. What each step of a swap request says, the reminder before a shift,
  the news of on-call changes a manager made directly, and how intervals and headlines read.
"""
