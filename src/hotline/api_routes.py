"""Router registration; each app owns its router in <app>/api.py."""
