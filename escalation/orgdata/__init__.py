"""A large, realistic, fictional organisation for benchmarks, tests and demos.

`generate.generate_org` writes it, one topic after the other, each topic a module that adds
its rows to the `org.GeneratedOrg` under way:

- `people`: teams, people (and their logins), roles and the managers group;
- `directory`: channels, severities and their responders, services, escalation paths,
  paging rules;
- `rotations`: rotations and their slots;
- `history`: years of overrides and swap requests on those rotations.

The command `generate_org` parses its arguments and calls `generate.generate_org`.
"""
