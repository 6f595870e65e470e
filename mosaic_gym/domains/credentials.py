"""mosaic/Credentials-v0: a password vault, API tokens, the sites they open, and look-alikes."""

from ..tasks import credentials as _families  # noqa: F401 - registers the families
from ..tools.vault import CREDENTIAL_TOOLS
from ..tools.web import WEB_TOOLS
from . import Domain

DOMAIN = Domain(
    name="credentials",
    env_id="mosaic/Credentials-v0",
    tools=tuple(CREDENTIAL_TOOLS + WEB_TOOLS),
    description=(
        "a password vault (personal, team and shared entries, API tokens, wifi keys), the sites "
        "it opens with their sign-in, password and security settings, and look-alike phishing hosts"
    ),
)
