"""Customers: created and edited by planners, archived (never deleted) by managers."""

from __future__ import annotations

from typing import Any

from app import journal
from app import validation as v
from app.errors import ValidationError
from app.permissions import require
from data.models import Customer
from data.uow import UnitOfWork
from domain.vocabulary import ADDRESS_LEN, CODE_LEN, NAME_LEN, NOTES_LEN, PHONE_LEN, REASON_LEN


def customer_fields(
    name: Any, contact: Any, email: Any, phone: Any, address: Any, tax_id: Any, notes: Any
) -> dict[str, Any]:
    return {
        "name": v.required_text(name, "name", NAME_LEN),
        "contact": v.text(contact, "contact", NAME_LEN, required=False),
        "email": v.email(email),
        "phone": v.text(phone, "phone", PHONE_LEN, required=False),
        "address": v.text(address, "address", ADDRESS_LEN, required=False),
        "tax_id": v.text(tax_id, "tax_id", CODE_LEN, required=False),
        "notes": v.text(notes, "notes", NOTES_LEN, required=False),
    }


def create_customer(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    tax_id: str | None = None,
    notes: str | None = None,
) -> int:
    require(uow.actor, "customer.edit")
    code = v.code(code, "code", CODE_LEN).upper()
    fields = customer_fields(name, contact, email, phone, address, tax_id, notes)
    with uow:
        if uow.customers.find(code) is not None:
            raise ValidationError(f"A customer with the code {code} already exists.", "code")
        customer = uow.customers.add(Customer(code=code, archived=False, **fields))
        uow.session.flush()
        entry = journal.customer_created(code, fields["name"], fields)
        uow.record_event(journal.CUSTOMER, customer.id, entry.action, entry.summary, entry.details)
        uow.commit()
        return customer.id


def edit_customer(
    uow: UnitOfWork,
    *,
    code: str,
    name: str,
    contact: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    address: str | None = None,
    tax_id: str | None = None,
    notes: str | None = None,
    expected_version: int | None = None,
) -> None:
    require(uow.actor, "customer.edit")
    code = v.code(code, "code", CODE_LEN)
    fields = customer_fields(name, contact, email, phone, address, tax_id, notes)
    with uow:
        customer = uow.customers.by_key(code, for_update=True)
        uow.check_version("customer", customer, expected_version, f"Customer {customer.code}")
        changed = {k: val for k, val in fields.items() if getattr(customer, k) != val}
        if not changed:
            raise ValidationError(f"Nothing to save: customer {customer.code} is unchanged.", "code")
        for key, value in changed.items():
            setattr(customer, key, value)
        entry = journal.edited(journal.CUSTOMER, customer.code, changed)
        uow.record_event(journal.CUSTOMER, customer.id, entry.action, entry.summary, entry.details)
        uow.commit()


def set_customer_archived(
    uow: UnitOfWork, *, code: str, archived: bool, reason: str | None = None, expected_version: int | None = None
) -> None:
    """Archive a customer (its orders and history stay), or bring it back."""
    require(uow.actor, "customer.archive")
    code = v.code(code, "code", CODE_LEN)
    why = v.text(reason, "reason", REASON_LEN, required=False)
    with uow:
        customer = uow.customers.by_key(code, for_update=True)
        uow.check_version("customer", customer, expected_version, f"Customer {customer.code}")
        if customer.archived == archived:
            state = "archived" if archived else "active"
            raise ValidationError(f"Customer {customer.code} is already {state}.", "code")
        customer.archived = archived
        entry = journal.archived(journal.CUSTOMER, customer.code, customer.name, archived, why)
        uow.record_event(journal.CUSTOMER, customer.id, entry.action, entry.summary, entry.details)
        uow.commit()
