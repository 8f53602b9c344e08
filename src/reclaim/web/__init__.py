"""The web app: server-rendered pages (Jinja2 and htmx) in Chinese and English, over the same
services as the API and the CLI. ``mount.mount_web`` puts it into the API app."""
