"""The sentences a refusal shows on the subscription pages, marked for translation.

Refusals are raised in English by the layers that know no reader (addresses, links, the
use cases); a page shows them through `View.say`, in the reader's language when the
sentence is one of these. Keep this list in step with those sentences: a sentence
missing here is shown in English.
"""

from __future__ import annotations

from statuspage.site.render import N_

PUBLIC = frozenset(
    {
        # statuspage.addresses
        N_("Enter your e-mail address."),
        N_("Enter your mobile number."),
        N_("Enter the URL of your webhook endpoint."),
        N_("Enter your Slack incoming-webhook URL."),
        N_("Enter an e-mail address like name@example.com."),
        N_("Choose the number's country."),
        N_("Enter a mobile number, like +1 415 555 0123."),
        N_("This is not a valid phone number for that country."),
        N_("We cannot send SMS to numbers in that country."),
        N_("This looks like a landline; SMS needs a mobile number."),
        N_("The URL's host name is too long: at most 63 characters between dots."),
        N_("The URL's host name is not valid."),
        N_("The URL must start with https://."),
        N_("Enter a URL like https://example.com/hooks/status."),
        N_("The URL must lead to a public address, not a private or local one."),
        N_("We cannot find that host; check the URL."),
        # statuspage.subscribe.forms and .csrf
        N_("This page does not take subscriptions."),
        N_("Choose every component, or the ones you want."),
        N_("Choose at least one component, or all of them."),
        N_("Choose one of the languages offered."),
        N_("this form was sent from another site"),
        N_("the form has expired; please send it again"),
        # statuspage.links, statuspage.service.subscriptions, statuspage.confirmations
        N_("this confirmation link has expired"),
        N_("This confirmation link is not valid."),
        N_("This confirmation link has expired; subscribe again."),
        N_("This subscription no longer exists; subscribe again."),
        N_("This subscription no longer exists."),
        N_("This link is not valid."),
        N_("This link was replaced by a newer one; use the latest message we sent."),
        N_("Enter the 6-digit code from the SMS."),
        N_("That code is not right, or it has expired. Check the latest SMS we sent."),
        N_("that address has a subscription of its own; change it from its own messages"),
    }
)
TOO_MANY = N_("Too many attempts. Please try again in %(n)d minutes.")
