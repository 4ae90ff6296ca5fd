"""Icons, style sheets, fonts and translations, as package data so that bundles find them."""
