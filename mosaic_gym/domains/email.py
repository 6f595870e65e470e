"""mosaic/Email-v0: a mailbox with inbox, sent mail, contacts, mailing lists and attachments."""

from ..tasks import email as _families  # noqa: F401 - registers the families
from ..tools.mail import MAIL_TOOLS
from . import Domain

DOMAIN = Domain(
    name="email",
    env_id="mosaic/Email-v0",
    tools=tuple(MAIL_TOOLS),
    description="a mailbox: inbox, sent, archive and trash, contacts and mailing lists, attachments that are files in the home",
)
