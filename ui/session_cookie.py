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
# The cookie manager's component function (what the authenticator's CookieManager renders).
from extra_streamlit_components.CookieManager import _component_func as _cookie_component

_PENDING = "_dd_cookie_change"


def write_after_sign_in(authenticator: stauth.Authenticate) -> None:
    """Call in the run that signed in (after authenticator.login set its expiry)."""
    model = authenticator.cookie_controller.cookie_model
    st.session_state[_PENDING] = {
        "method": "set", "cookie": model.cookie_name,
        "value": model._token_encode(),  # the authenticator's own JWT
        "expires": datetime.fromtimestamp(model.exp_date).isoformat()}


def remove_after_sign_out(authenticator: stauth.Authenticate) -> None:
    st.session_state[_PENDING] = {"method": "delete",
                                  "cookie": authenticator.cookie_controller.cookie_model.cookie_name}


def apply_pending() -> None:
    """Render the cookie component while a change is pending; drop it once done.

    The component alone, not the authenticator: building that renders the cookie reader
    too, which, on the runs after the cookie is written, sends the cookies again and so
    interrupts whatever run is on its way — an officer's click is lost with it."""
    change = st.session_state.get(_PENDING)
    if not change:
        return
    if change["method"] == "set":
        done = _cookie_component(method="set", cookie=change["cookie"], value=change["value"],
                                 options={"path": "/", "expires": change["expires"],
                                          "sameSite": "strict"},
                                 key="dd_cookie_set", default=False)
    else:
        done = _cookie_component(method="delete", cookie=change["cookie"], key="dd_cookie_delete",
                                 default=False)
    if done:
        st.session_state.pop(_PENDING, None)
