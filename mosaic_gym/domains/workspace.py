"""mosaic/Workspace-v0: the home, the mailbox, the web and the vault at once; cross-domain tasks."""

from collections.abc import Iterable

from ..tasks import workspace as _families  # noqa: F401 - registers the families
from ..tools.base import Tool
from ..tools.files import FILE_TOOLS
from ..tools.mail import MAIL_TOOLS
from ..tools.shell import shell
from ..tools.vault import CREDENTIAL_TOOLS
from ..tools.web import WEB_TOOLS
from . import Domain


def _unique(*groups: Iterable[Tool]) -> tuple[Tool, ...]:
    """The tools of every group, each name once, in first-seen order."""
    seen: dict[str, Tool] = {}
    for group in groups:
        for t in group:
            seen.setdefault(t.name, t)
    return tuple(seen.values())


DOMAIN = Domain(
    name="workspace",
    env_id="mosaic/Workspace-v0",
    tools=_unique(FILE_TOOLS, [shell], MAIL_TOOLS, WEB_TOOLS, CREDENTIAL_TOOLS),
    description=(
        "one user's whole workspace: the home directory (projects, notes, ~/.ssh, ~/.aws, ~/shared), "
        "the mailbox, the company's intranet and wiki and sites outside it, and the password vault "
        "with the sites it opens; tasks cross them (read a file and mail it, log in and download a "
        "report, fill a form from a mailed request)"
    ),
)
