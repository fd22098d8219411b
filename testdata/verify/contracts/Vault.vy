# @version ^0.3.9
# A vault that pays out its deposits.

owner: public(address)
balances: public(HashMap[address, uint256])
total: public(uint256)

@external
def __init__():
    self.owner = msg.sender

@external
@payable
def deposit():
    self.balances[msg.sender] += msg.value
    self.total += msg.value

@external
def withdraw(amount: uint256):
    """
    Sends `amount` back to the caller.
    """
    assert self.balances[msg.sender] >= amount, "too much"
    raw_call(msg.sender, b"", value=amount)
    self.balances[msg.sender] -= amount
    self.total -= amount

@external
def rescue(to: address):
    assert msg.sender == self.owner, "owner only"
    send(to, self.balance - self.total)
