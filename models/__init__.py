"""ORM models. Importing the package registers every table on Base.metadata."""
from models.base import Base
from models import audit, auth, daily, incident, org, roster  # noqa: F401  (register tables)
from models import oversight  # noqa: F401  (inspections, bulletins, training: issue 6)
from models import data_version  # noqa: F401  (services/view_cache)

__all__ = ["Base"]
