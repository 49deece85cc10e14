"""The sign-in cookie, written and removed for sure.

streamlit-authenticator writes its cookie through a custom component rendered in the run
that signs the officer in, and removes it the same way on sign-out. app.py reruns at once
after either, which takes the component off the page before its iframe has loaded: the
browser mostly never got the cookie (a reload, or nginx moving the browser to the other
instance, signed the officer out) nor lost it. So the wanted change is kept in the
session and the component is rendered on every run until it reports the change made.

The cookie only names the user and an expiry, signed with the installation's key; what
lets a browser back in is the server-side login session it is bound to (services.auth),
which sign-out and password changes revoke, whatever the browser kept.
"""
from __future__ import annotations

from datetime import datetime

import streamlit as st
import streamlit_authenticator as stauth

_PENDING = "_dd_cookie_change"


def write_after_sign_in(authenticator: stauth.Authenticate) -> None:
    """Call in the run that signed in (after authenticator.login set its expiry)."""
    model = authenticator.cookie_controller.cookie_model
    st.session_state[_PENDING] = {
        "method": "set", "value": model._token_encode(),  # the authenticator's own JWT
        "expires": datetime.fromtimestamp(model.exp_date).isoformat()}


def remove_after_sign_out() -> None:
    st.session_state[_PENDING] = {"method": "delete"}


def apply_pending(authenticator: stauth.Authenticate) -> None:
    """Render the cookie component while a change is pending; drop it once done."""
    change = st.session_state.get(_PENDING)
    if not change:
        return
    model = authenticator.cookie_controller.cookie_model
    component = model.cookie_manager.cookie_manager  # extra_streamlit_components' function
    if change["method"] == "set":
        done = component(method="set", cookie=model.cookie_name, value=change["value"],
                         options={"path": "/", "expires": change["expires"],
                                  "sameSite": "strict"},
                         key="dd_cookie_set", default=False)
    else:
        done = component(method="delete", cookie=model.cookie_name, key="dd_cookie_delete",
                         default=False)
    if done:
        st.session_state.pop(_PENDING, None)
