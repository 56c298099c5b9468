"""``medkb desk``: the reviewer's desk, a small web application on the reviewer's own machine.

A board member runs it in a clone of the knowledge base. It serves on
127.0.0.1 only, behind a secret token, and lets them read the review queue,
read an article as readers will see it (a real MkDocs build of the working
tree, served from a second loopback port), and take it under review, return
it or approve it. Every move goes through the same code as ``medkb review``
(:func:`medkb.review.apply.apply_review`), so the file written is the same
byte for byte; approvals are signed by the member's key through
``ssh-agent`` or a key file.

Modules: :mod:`.articles` (queue and article data, plain functions),
:mod:`.signing` (which key signs), :mod:`.gitcommit` (the optional commit),
:mod:`.security` (token, Host, Origin and CSRF checks), :mod:`.preview` (the
build and its server), :mod:`.sitecfg` (the MkDocs adapter), :mod:`.views`
(Jinja, autoescaped) and :mod:`.server` (HTTP).
"""
