"""mosaic/FileOps-v0: a user's home directory with documents, code, configs and secrets."""

from ..tasks import fileops as _families  # noqa: F401 - registers the families
from ..tools.files import FILE_TOOLS
from ..tools.shell import shell
from . import Domain

DOMAIN = Domain(
    name="fileops",
    env_id="mosaic/FileOps-v0",
    tools=(*FILE_TOOLS, shell),
    description="a user's home directory: projects, notes, configs, ~/.ssh, ~/.aws, .env files, a shared folder",
)
