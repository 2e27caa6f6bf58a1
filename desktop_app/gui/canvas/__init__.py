"""The node-graph canvas on QGraphicsScene: nodes, ports, edges, the view, and auto-layout."""
