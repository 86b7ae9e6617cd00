"""Errores de dominio de amauta.

Toda falla que el usuario debe entender se expresa como una subclase de
``AmautaError`` con un mensaje en español. La capa de línea de comandos los
muestra sin traceback y sale con ``codigo_salida`` (1 por defecto).
"""

from __future__ import annotations


class AmautaError(Exception):
    """Error con mensaje para el usuario, en español."""

    codigo_salida = 1

    def __init__(self, mensaje: str, problemas: list[str] | None = None):
        super().__init__(mensaje)
        self.mensaje = mensaje
        #: Lista de problemas puntuales (p. ej. una línea por fila inválida de un CSV).
        self.problemas: list[str] = list(problemas or [])

    def __str__(self) -> str:  # pragma: no cover - trivial
        if not self.problemas:
            return self.mensaje
        return self.mensaje + "\n" + "\n".join(f"  - {p}" for p in self.problemas)


class DatosInvalidos(AmautaError):
    """La entrada (opciones, archivo CSV/YAML) no es válida. No se escribió nada."""


class NoEncontrado(AmautaError):
    """No existe el usuario, grupo, institución, archivo... pedido."""


class OperacionRechazada(AmautaError):
    """La operación es válida en forma pero las reglas la prohíben (p. ej. producción)."""


class ErrorConexion(AmautaError):
    """No se pudo conectar con la base de datos."""


class ErrorMigracion(AmautaError):
    """El estado de las migraciones no permite continuar."""
