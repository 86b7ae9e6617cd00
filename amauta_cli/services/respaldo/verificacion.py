"""Lo restaurado comparado con el manifiesto; las revisiones de esquema que amauta conoce."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Comparacion:
    tabla: str
    esperado: int | None
    obtenido: int | None

    @property
    def ok(self) -> bool:
        return self.esperado == self.obtenido


@dataclass(frozen=True)
class Verificacion:
    """Lo que se restauró comparado con el manifiesto."""

    archivo: Path
    con_manifiesto: bool
    revision_esperada: str | None
    revision_obtenida: str | None
    tablas: list[Comparacion]
    entorno_conservado: str | None = None

    @property
    def revision_ok(self) -> bool:
        return not self.con_manifiesto or self.revision_esperada == self.revision_obtenida

    @property
    def diferencias(self) -> list[str]:
        if not self.con_manifiesto:
            return []
        d = []
        if not self.revision_ok:
            d.append(
                f"revisión: el manifiesto dice {self.revision_esperada or 'ninguna'} y la base "
                f"restaurada tiene {self.revision_obtenida or 'ninguna'}"
            )
        for c in self.tablas:
            if not c.ok:
                d.append(
                    f"{c.tabla}: el manifiesto dice {_n(c.esperado)} filas y se restauraron "
                    f"{_n(c.obtenido)}"
                )
        return d

    @property
    def ok(self) -> bool:
        return not self.diferencias

    @property
    def filas(self) -> int:
        return sum(c.obtenido or 0 for c in self.tablas)


def _n(v: int | None) -> str:
    from amauta_cli.textos import entero

    return "—" if v is None else entero(v)


def comparar(
    archivo: Path,
    manifiesto: dict[str, Any] | None,
    revision: str | None,
    tablas: dict[str, int],
    entorno_conservado: str | None = None,
) -> Verificacion:
    esperadas = dict((manifiesto or {}).get("tablas") or {})
    if manifiesto is not None and entorno_conservado and manifiesto.get("entorno") is None:
        if "_amauta_meta" in esperadas:
            esperadas["_amauta_meta"] += 1  # la marca de entorno del destino, conservada
    # Orden alfabético, las tablas propias de amauta (``_...``) al final.
    nombres = sorted(set(esperadas) | set(tablas), key=lambda t: (t.startswith("_"), t.lower()))
    comparaciones = [
        Comparacion(t, esperadas.get(t) if manifiesto else None, tablas.get(t)) for t in nombres
    ]
    return Verificacion(
        archivo,
        manifiesto is not None,
        (manifiesto or {}).get("revision"),
        revision,
        comparaciones,
        entorno_conservado,
    )


# --- Revisiones ------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def revisiones_conocidas() -> tuple[str, ...]:
    """Las revisiones de amauta, de la más vieja a la más nueva (la última es head).

    Se leen con ``ast`` de ``migrations/versions`` en lugar de cargar Alembic (que importa
    SQLAlchemy y cada migración: ~0,3 s que se sumarían a cada restauración). Si la cadena
    no es lineal, se pregunta a Alembic.
    """
    import ast

    from amauta_cli.services.esquema import dir_migraciones

    anteriores: dict[str, object] = {}
    for archivo in sorted((dir_migraciones() / "versions").glob("*.py")):
        valores: dict[str, object] = {}
        for nodo in ast.parse(archivo.read_text(encoding="utf-8")).body:
            if isinstance(nodo, ast.Assign) and len(nodo.targets) == 1:
                destino, valor = nodo.targets[0], nodo.value
            elif isinstance(nodo, ast.AnnAssign) and nodo.value is not None:
                destino, valor = nodo.target, nodo.value
            else:
                continue
            if isinstance(destino, ast.Name) and destino.id in ("revision", "down_revision"):
                try:
                    valores[destino.id] = ast.literal_eval(valor)
                except ValueError:
                    valores[destino.id] = object()
        if isinstance(valores.get("revision"), str):
            anteriores[valores["revision"]] = valores.get("down_revision")
    siguiente = {abajo: rev for rev, abajo in anteriores.items() if isinstance(abajo, (str, type(None)))}
    orden: list[str] = []
    actual = siguiente.get(None)
    while actual is not None and len(orden) <= len(anteriores):
        orden.append(actual)
        actual = siguiente.get(actual)
    if len(orden) != len(anteriores) or len(siguiente) != len(anteriores):
        from amauta_cli.services.esquema import revisiones

        return tuple(s.revision for s in revisiones())
    return tuple(orden)


def cabeza() -> str | None:
    revs = revisiones_conocidas()
    return revs[-1] if revs else None


def revision_conocida(rev: str | None) -> bool:
    return rev is None or rev in revisiones_conocidas()


def mensaje_revision_nueva(rev: str, despues: bool = False) -> str:
    return (
        f"El respaldo está en la revisión de esquema '{rev}', más nueva que la que conoce esta "
        f"versión de amauta (última: '{cabeza()}'). "
        + ("La restauración se deshizo y la base quedó como estaba. " if despues else "")
        + "Actualice amauta antes de restaurarlo, o agregue --forzar si sabe lo que hace."
    )
