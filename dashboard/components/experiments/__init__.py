"""The Experiments page's widgets: the report of one experiment, starting one, ending one."""
