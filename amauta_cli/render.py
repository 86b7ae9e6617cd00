"""Salida: el único lugar que convierte resultados en tablas Rich, JSON o CSV.

Los datos van a stdout; los mensajes, avisos y barras de progreso, a stderr.
JSON y CSV son para scripts: claves estables y nada más en stdout.
"""

from __future__ import annotations

import csv
import json
import sys
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Iterable, Iterator, Sequence

FORMATOS = ("tabla", "json", "csv")

Columnas = Sequence[tuple[str, str]]  # (clave, título)


def _consola(stderr: bool):
    from rich.console import Console

    stream = sys.stderr if stderr else sys.stdout
    es_tty = stream.isatty()
    # Sin terminal, un ancho holgado para no partir emails ni nombres.
    return Console(file=stream, width=None if es_tty else 200, soft_wrap=not es_tty, highlight=False)


def consola_err():
    return _consola(True)


def consola_out():
    return _consola(False)


# --- Mensajes (stderr) -----------------------------------------------------------------------
def _escapar(texto: str) -> str:
    from rich.markup import escape

    return escape(texto)


def info(texto: str) -> None:
    consola_err().print(_escapar(texto))


def exito(texto: str) -> None:
    consola_err().print(f"[green]✔[/green] {_escapar(texto)}")


def aviso(texto: str) -> None:
    consola_err().print(f"[yellow]Aviso:[/yellow] {_escapar(texto)}")


def error(texto: str, problemas: Sequence[str] = ()) -> None:
    c = consola_err()
    c.print(f"[bold red]Error:[/bold red] {_escapar(texto)}")
    for p in problemas:
        c.print(f"  • {_escapar(p)}")


# --- Valores ----------------------------------------------------------------------------------
def a_json(valor: Any) -> Any:
    """Convierte un valor a algo serializable en JSON (fechas ISO, enums por su valor)."""
    if isinstance(valor, Enum):
        return valor.value
    if isinstance(valor, datetime):
        return valor.isoformat(timespec="milliseconds")
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, Decimal):
        return float(valor)
    if is_dataclass(valor) and not isinstance(valor, type):
        return {k: a_json(v) for k, v in asdict(valor).items()}
    if isinstance(valor, dict):
        return {str(k): a_json(v) for k, v in valor.items()}
    if isinstance(valor, (list, tuple, set)):
        return [a_json(v) for v in valor]
    return valor


def a_texto(valor: Any) -> str:
    """Un valor como texto para tablas y CSV."""
    if valor is None:
        return ""
    if isinstance(valor, bool):
        return "sí" if valor else "no"
    if isinstance(valor, Enum):
        return str(valor.value)
    if isinstance(valor, datetime):
        if valor.hour == valor.minute == valor.second == valor.microsecond == 0:
            return valor.date().isoformat()
        return valor.isoformat(sep=" ", timespec="seconds")
    if isinstance(valor, date):
        return valor.isoformat()
    if isinstance(valor, float):
        return f"{valor:.2f}".rstrip("0").rstrip(".") if valor != int(valor) else str(int(valor))
    if isinstance(valor, (list, tuple)):
        return ", ".join(a_texto(v) for v in valor)
    return str(valor)


def _dict(fila: Any) -> dict[str, Any]:
    if isinstance(fila, dict):
        return fila
    if is_dataclass(fila) and not isinstance(fila, type):
        return asdict(fila)
    if hasattr(fila, "_mapping"):
        return dict(fila._mapping)
    raise TypeError(f"fila no soportada: {type(fila)!r}")  # pragma: no cover


# --- Listados -----------------------------------------------------------------------------------
def emitir_filas(
    filas: Iterable[Any],
    columnas: Columnas,
    formato: str = "tabla",
    titulo: str | None = None,
    vacio: str = "Sin resultados.",
    pie: str | None = None,
) -> int:
    """Escribe filas en el formato pedido. JSON y CSV se emiten en streaming.

    Devuelve cuántas filas se escribieron.
    """
    formato = str(getattr(formato, "value", formato))
    claves = [c for c, _ in columnas]
    n = 0
    if formato == "json":
        out = sys.stdout
        out.write("[")
        for fila in filas:
            d = _dict(fila)
            out.write(("," if n else "") + "\n  ")
            out.write(json.dumps({k: a_json(d.get(k)) for k in claves}, ensure_ascii=False))
            n += 1
        out.write("\n]\n" if n else "]\n")
        out.flush()
        return n
    if formato == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(claves)
        for fila in filas:
            d = _dict(fila)
            w.writerow([a_texto(d.get(k)) for k in claves])
            n += 1
        sys.stdout.flush()
        return n
    from rich.table import Table

    tabla = Table(title=titulo, title_justify="left", header_style="bold")
    for _, titulo_col in columnas:
        tabla.add_column(titulo_col)
    for fila in filas:
        d = _dict(fila)
        tabla.add_row(*(_escapar(a_texto(d.get(k))) or "—" for k in claves))
        n += 1
    if n == 0:
        info(vacio)
        return 0
    consola_out().print(tabla)
    if pie:
        consola_out().print(_escapar(pie))
    return n


def emitir_json(objeto: Any) -> None:
    sys.stdout.write(json.dumps(a_json(objeto), ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def emitir_clave_valor(
    pares: Sequence[tuple[str, str, Any]], formato: str, titulo: str | None = None
) -> None:
    """Un objeto como tabla de dos columnas (tabla), objeto (json) o filas campo,valor (csv).

    ``pares`` son (clave estable, etiqueta para humanos, valor).
    """
    formato = str(getattr(formato, "value", formato))
    if formato == "json":
        emitir_json({k: v for k, _, v in pares})
        return
    if formato == "csv":
        w = csv.writer(sys.stdout, lineterminator="\n")
        w.writerow(["campo", "valor"])
        for k, _, v in pares:
            w.writerow([k, a_texto(v)])
        return
    from rich.table import Table

    tabla = Table(title=titulo, title_justify="left", show_header=False, box=None, padding=(0, 2))
    tabla.add_column(style="bold")
    tabla.add_column()
    for _, etiqueta, v in pares:
        tabla.add_row(_escapar(etiqueta), _escapar(a_texto(v)) or "—")
    consola_out().print(tabla)


# --- Progreso -----------------------------------------------------------------------------------
@contextmanager
def progreso(descripcion: str, total: int | None = None) -> Iterator[Any]:
    """Barra de progreso en stderr (nada si stderr no es una terminal).

    Uso: ``with progreso("Importando", total=n) as avanzar: avanzar(k)``.
    """
    if not sys.stderr.isatty():
        yield lambda _n=1: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columnas = [SpinnerColumn(), TextColumn("{task.description}")]
    if total is not None:
        columnas += [BarColumn(), MofNCompleteColumn()]
    columnas.append(TimeElapsedColumn())
    with Progress(*columnas, console=consola_err(), transient=True) as p:
        tarea = p.add_task(descripcion, total=total)
        yield lambda n=1: p.advance(tarea, n)
