# @version ^0.3.9
# SPDX-License-Identifier: MIT
# @title Escrow
# @notice Buyer deposits ether; the arbiter (or buyer) releases it to the seller.
#         After the deadline the buyer may reclaim an unreleased deposit.

event Deposited:
    buyer: indexed(address)
    amount: uint256

event Released:
    seller: indexed(address)
    amount: uint256

buyer: public(address)
seller: public(address)
arbiter: public(address)
amount: public(uint256)
deadline: public(uint256)
released: public(bool)
fee_bps: public(uint256)


@external
def __init__(_seller: address, _arbiter: address, _duration: uint256):
    self.buyer = msg.sender
    self.seller = _seller
    self.arbiter = _arbiter
    self.deadline = block.timestamp + _duration
    self.fee_bps = 100


@external
@payable
def deposit():
    assert msg.sender == self.buyer, "only buyer"
    assert not self.released, "closed"
    self.amount += msg.value
    log Deposited(msg.sender, msg.value)


@external
def release():
    assert msg.sender == self.arbiter or msg.sender == self.buyer, "not allowed"
    assert not self.released, "already released"
    fee: uint256 = self.amount * self.fee_bps / 10000
    raw_call(self.seller, b"", value=self.amount - fee)
    send(self.arbiter, fee)
    self.released = True
    log Released(self.seller, self.amount)


@external
def refund():
    assert block.timestamp > self.deadline, "too early"
    assert not self.released, "already released"
    self.released = True
    send(self.buyer, self.amount)


@external
def set_fee(_fee_bps: uint256):
    assert msg.sender == self.arbiter, "only arbiter"
    self.fee_bps = _fee_bps


@external
def change_arbiter(_new: address):
    self.arbiter = _new


@view
@external
def balance_of() -> uint256:
    return self.balance
