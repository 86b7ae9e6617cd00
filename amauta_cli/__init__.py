"""amauta: administración de la base de datos de la plataforma educativa Amauta."""

__version__ = "0.1.0"
