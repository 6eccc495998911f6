"""The default settings (manage.py and wsgi.py): a laptop, plain HTTP, SQLite unless
DATABASE_URL says otherwise. DEBUG stays off unless DEBUG=1."""

from .base import *
