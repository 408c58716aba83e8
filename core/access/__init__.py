"""Who may do what: roles and the actor every write names (roles), accounts and sign-in
(users), and the trail of who did what (audit). No streamlit here: the pages ask, core decides."""
