"""What leaves the page: share links, exports, tables and their templates."""
