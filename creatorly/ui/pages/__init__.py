"""One module per route: compose layouts and components, bind them to states."""
