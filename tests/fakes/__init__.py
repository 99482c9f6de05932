"""Local fakes of outside services: real HTTP servers on 127.0.0.1 that follow the documented
contracts, driven by the services' official clients."""
