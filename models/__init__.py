"""ORM models. Importing the package registers every table on Base.metadata."""
from models.base import Base
from models import audit, auth, incident, org, roster  # noqa: F401  (register tables)

__all__ = ["Base"]
