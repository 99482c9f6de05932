"""The portal's forms, by page (the admin has its own): `swaps` (the swap request), `questions`
(the published pages' GET questions and reading an instant), `people` (the viewer's own contact
details), `fairness` (the fairness report's question) and `pagerduty` ("Page via PagerDuty"'s
confirmation form)."""
