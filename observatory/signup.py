"""allauth's sign-up form, made to do the same work for a registered address as for a new one.

With ACCOUNT_PREVENT_ENUMERATION (allauth's default) a sign-up with a registered address creates
nothing and mails the owner instead, answering with the same "confirmation sent" page and message
as a real sign-up. But it skipped the one slow step, hashing the password (hundreds of ms with
PBKDF2), so the answer came ~700 ms sooner and the timing told the address was registered
(issue 17). Here that path hashes the submitted password too, and throws the hash away.

A module of its own: allauth's forms import `observatory.forms.SignupForm` (the display name,
ACCOUNT_SIGNUP_FORM_CLASS) when they load, so `observatory.forms` cannot import them back.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.contrib.auth.hashers import make_password


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        if self.account_already_exists:
            make_password(self.cleaned_data.get("password1"))  # as set_password() on a new account
        return super().try_save(request)
