"""mosaic/Web-v0: small seeded sites served from files: pages, search, forms, downloads."""

from ..tasks import web as _families  # noqa: F401 - registers the families
from ..tools.files import FILE_TOOLS
from ..tools.web import WEB_TOOLS
from . import Domain

DOMAIN = Domain(
    name="web",
    env_id="mosaic/Web-v0",
    tools=tuple(WEB_TOOLS + FILE_TOOLS),
    description=(
        "the company's intranet and wiki, a shop, a paste site, a developer forum, a software "
        "vendor, a news site and a search engine, served from files; plus the user's home directory"
    ),
)
