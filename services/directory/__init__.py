"""The organisation directory: units and their duty phones (第二十三条), people, contacts,
and their Excel import/export. One module per area; each public function is one user
action in one transaction, taking the actor first and plain values, returning rows."""
