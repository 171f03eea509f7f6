"""The Reflex user interface: pages lay out components and bind them to states."""
