pragma solidity 0.5.17;

contract Wallet {
    address public owner;
    address constant ADMIN = 0x1111111111111111111111111111111111111111;

    constructor() public {
        owner = msg.sender;
    }

    function transferTo(address payable to, uint256 amount) public {
        require(tx.origin == owner);
        to.transfer(amount);
    }

    function adminWithdraw() public {
        require(tx.origin == ADMIN, "admin only");
        msg.sender.transfer(address(this).balance);
    }

    function check(address claimed) public view returns (bool) {
        require(claimed == tx.origin);
        return true;
    }

    function setOwner(address o) public {
        if (tx.origin != owner) {
            revert();
        }
        owner = o;
    }
}
