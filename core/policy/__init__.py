"""Who may do what, decided here and enforced by the store and every writer above it: the
roles, the actor every write names, and which rows an actor may change."""
