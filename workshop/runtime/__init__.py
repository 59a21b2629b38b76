"""What runs on this machine: settings, the kit's processes, the dev server, the services."""
